// Package measure is the metric engine of pdca: record sets in, measurements
// and ratings out. It implements the "Built-in metrics" section of
// PRODUCT.md and imports only the standard library; it does no I/O, no SQL
// and no HTTP.
//
// A Definition says which records to read (Kind and Filter), how to measure
// them (Measure), for which calendar periods (Frequency) and how to rate the
// result (Rule). Compute takes a Definition and an Input (the period, the
// moment T the measurement is taken as of, and the records) and returns a
// Measurement: the exact value, its status, the counts and the records
// behind the figure. Builtins returns the nine built-in metrics. A Tally
// does the same for records fed one at a time, so that a register of any
// size streams through the engine without being held.
//
// # Time
//
// Periods are calendar months or quarters in a location, half-open
// [Start, End), built with time.Date in that location. T (Input.AsOf) is the
// moment of measurement: anything recorded as happening after T is treated
// as not yet happened, and a timestamp equal to T has happened. For stock
// measures R is min(End, T). Durations are elapsed time, so 24 h is 86,400 s
// also across a daylight-saving change. "At most" includes the bound, "more
// than" excludes it, and a deadline is passed only once T is later than it.
//
// # Measures
//
//   - share_within (flow): population = filtered records whose PeriodField is
//     in the period and not after T (unless PeriodIsDeadline). Deadline =
//     StartField + Within. Done = DoneField present and not after T. Done by
//     the deadline is met (done before the start too), done later is missed;
//     not done is missed once T is later than the deadline, else pending and
//     left out of the population. Value = 100 × met / (met + missed).
//   - count (flow): the number of records in the flow population.
//   - percentage (flow): met when Bools[BoolField] is true; value = 100 × met
//     / population.
//   - percentile_duration: nearest-rank percentile (position ceil(p/100 × n),
//     1-based, ascending) over the days from StartField to DoneField of the
//     records done in the period and not after T, together with the records
//     started before R and not done by R, counted at their age at R.
//   - stock_count: records open at R (started before End and not after T,
//     not closed before End and not after T).
//   - stock_aged_count: records open at R whose age at R is more than
//     AgeOver.
//   - coverage: filtered records (matched by Key) met when a Related record
//     names them in RelatedKeyField with RelatedTimeField in
//     [End - Window, End) and not after T.
//   - manual: the value typed in Input.Manual.
//
// An empty population gives a nil value and status grey for percentages and
// percentiles; a count of zero is a value. Status is decided on the exact
// value; Round2 rounds half away from zero to two decimals for display.
//
// # Decisions
//
// Where PRODUCT.md is silent the engine decides as follows.
//
//   - A timestamp that is absent, or present but the zero time.Time, is
//     unknown. A share_within record without StartField cannot be judged and
//     is skipped; so is a percentile record done in the period without
//     StartField. A flow record without PeriodField is not in any period.
//   - A negative duration (done before started) counts as 0 days in a
//     percentile.
//   - For percentile_duration, PeriodField must be empty or equal to
//     DoneField: the period is placed by the moment of completion.
//   - Condition: text fields compare case-insensitively after trimming
//     spaces; a bool field compares as a bool (Equals true/false, also
//     yes/no/1/0, any case). A field absent from the record counts as false
//     for a bool condition and as "" for a text condition. A bool that
//     arrives in Texts ("yes") is read with the same vocabulary, by filters
//     and by percentage's BoolField alike.
//   - Coverage: a Related record matches a population record when its
//     RelatedKeyField, trimmed, equals the population record's Key, trimmed,
//     case-insensitively. An assessment counts whatever its result.
//   - not_rising: with no previous value (P-1 nil) the status is green, there
//     being nothing to compare with; with P-2 nil the red branch cannot
//     trigger, so a rise is yellow. Previous values are computed for P-1 and
//     P-2 with the same T. A manual measure takes them from
//     Input.ManualPrevious.
//   - A manual measure has Population 1 when a value was typed, else 0.
//   - Round2 rounds the shortest decimal representation of the float (the one
//     strconv prints), so 2.675 gives 2.68 and 1.005 gives 1.01.
//   - Items are in input order; stock measures list only counted records.
//   - ParsePeriod accepts exactly YYYY-MM and YYYY-QN (capital Q), year 0001
//     to 9999; a nil location means UTC.
//   - Compute rejects an Input whose period frequency differs from the
//     definition's, a period without bounds, or a zero AsOf (EINVALID).
//
// Errors returned by this package are *Error with Code EINVALID.
package measure
