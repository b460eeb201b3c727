// Projections: see Package.swift for this layer's job.
