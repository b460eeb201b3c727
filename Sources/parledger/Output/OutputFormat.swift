import ArgumentParser

/// How a read command prints: a table for people (the default), JSON or CSV
/// for tools and spreadsheets.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
