// Ledger: see Package.swift for this layer's job.
