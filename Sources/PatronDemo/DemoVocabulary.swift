/// Names, places and phrases the demo story is told with. Fictional throughout: e-mail
/// domains are reserved example domains, phone numbers are made unique per customer.
enum DemoVocabulary {
    static let firstNames = [
        "Maria", "James", "Anna", "Liam", "Sofia", "Noah", "Emma", "Lucas", "Mia", "Oliver",
        "Aisha", "Mateo", "Hannah", "Yuki", "Fatima", "Ethan", "Chloe", "Ravi", "Elena", "Omar",
        "Grace", "Felix", "Ines", "Jonas", "Leila", "Marco", "Nora", "Pavel", "Priya", "Samuel",
        "Tara", "Victor", "Zoe", "Amir", "Clara", "Diego", "Eva", "Hugo", "Ida", "Kofi",
        "Lena", "Mila", "Nils", "Olga", "Paula", "Rosa", "Sven", "Tomas", "Ula", "Wen",
    ]
    static let lastNames = [
        "Garcia", "Smith", "Müller", "Rossi", "Kowalski", "Nguyen", "Johnson", "Silva", "Novak", "Brown",
        "Dubois", "Jensen", "Khan", "Tanaka", "Okafor", "Larsen", "Moreau", "Fischer", "Costa", "Wilson",
        "Andersen", "Petrov", "Schmidt", "Haddad", "Lopez", "Martin", "Nowak", "O'Brien", "Papadopoulos", "Quinn",
        "Reyes", "Sato", "Taylor", "Varga", "Weber", "Young", "Zimmermann", "Ahmed", "Becker", "Chen",
    ]

    /// Country, weight, calling code, area prefix used to build unique phone numbers.
    static let countries: [(code: String, weight: Double, callingCode: String, area: String)] = [
        ("US", 38, "1", "415"), ("GB", 14, "44", "20"), ("DE", 12, "49", "30"), ("FR", 8, "33", "1"),
        ("CA", 7, "1", "604"), ("AU", 5, "61", "2"), ("NL", 5, "31", "20"), ("ES", 4, "34", "91"),
        ("IT", 4, "39", "06"), ("SE", 3, "46", "8"),
    ]

    static let emailDomains = ["example.com", "example.net", "example.org", "mail.example", "inbox.example", "post.example"]

    static let platforms = Weighted([("twitter", 40.0), ("instagram", 30), ("facebook", 15), ("tiktok", 10), ("reddit", 5)])

    static let segments = Weighted([("consumer", 86.0), ("business", 11), ("vip", 3)])

    static let orderChannels = Weighted([("web", 58.0), ("app", 31), ("marketplace", 8), ("phone", 3)])

    static let returnReasons = Weighted([
        ("wrong size", 30.0), ("damaged in transit", 18), ("not as described", 17), ("changed my mind", 20),
        ("arrived late", 8), ("defective", 7),
    ])

    static let agentFirstNames = ["Alex", "Sam", "Jordan", "Robin", "Kim", "Charlie", "Dana", "Eli", "Frankie", "Gabi",
                                  "Harper", "Jesse", "Kai", "Lou", "Morgan", "Nico", "Pat", "Quinn", "Remy", "Sasha"]
    static let agentLastNames = ["A.", "B.", "C.", "D.", "E.", "F.", "G.", "H.", "J.", "K.", "L.", "M.", "N.", "P.", "R.", "S.", "T.", "V.", "W."]

    static let strangerWords = ["sunny", "quiet", "urban", "lucky", "blue", "wild", "retro", "cozy", "brave", "misty"]
    static let strangerNouns = ["otter", "fox", "maple", "comet", "pixel", "harbor", "raven", "tulip", "summit", "pebble"]

    static let positiveMentions = [
        "Love my new order from @patronshop, arrived two days early!",
        "Shout-out to @patronshop support, sorted my problem in minutes.",
        "Third order this year and still happy. Great quality.",
        "The \"express\" shipping really was express this time :)",
        "Gift arrived beautifully packed, thanks @patronshop",
    ]
    static let neutralMentions = [
        "Anyone tried the new collection from @patronshop?",
        "Is the @patronshop sale on this weekend too?",
        "Comparing @patronshop with other shops, thoughts?",
        "Just placed an order, let's see how it goes.",
    ]
    static let negativeMentions = [
        "Still waiting for a reply from @patronshop support, days now. Not impressed.",
        "Nobody answers at @patronshop, my ticket has been open forever",
        "Their \"express\" shipping took nine days, and support never called back.",
        "Returned an item weeks ago, still no refund. @patronshop please respond",
        "Worst customer service I have had in years. Never again.",
    ]

    static let promoterComments = ["Great products, quick delivery.", "Support was friendly and fast.", "Will buy again!", "Love the quality"]
    static let passiveComments = ["OK overall.", "Delivery could be faster", "Prices a bit high, quality fine."]
    static let detractorComments = [
        "Support took far too long to answer.", "My issue was never solved.", "Refund took weeks, very annoying",
        "Item broke, and nobody helped", "Too slow, too many emails needed",
    ]
}
