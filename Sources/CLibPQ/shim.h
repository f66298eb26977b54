#ifndef PATRON_CLIBPQ_SHIM_H
#define PATRON_CLIBPQ_SHIM_H
#include <libpq-fe.h>
/* PG_DIAG_* field codes live in postgres_ext.h, included by libpq-fe.h. */
#endif
