#ifndef PATRON_PREFETCH_H
#define PATRON_PREFETCH_H

/* Starts loading the cache line at `address` without waiting for it (Swift has no prefetch).
   A plain load would stall the loop on a cache miss; a prefetch lets the work go on meanwhile. */
static inline void patron_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}
#endif
