package store

// Internals for the tests of package store_test.
var RiskLinkQueries = []string{riskControlsOf, riskProcessesOf}
