package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

// Scan is what a scanner report says about one asset at one moment.
type Scan struct {
	// Asset is the scanned artifact (Trivy ArtifactName, Grype
	// source.target.userInput).
	Asset string
	// ScannedAt is the report's time, in UTC.
	ScannedAt time.Time
	// Findings maps each reported vulnerability id to the highest severity
	// reported for it, lower-case (critical, high, medium, low, negligible,
	// unknown).
	Findings map[string]string
}

// severityRank orders the scanner severity vocabulary, highest first.
var severityRank = map[string]int{
	"critical": 6, "high": 5, "medium": 4, "low": 3, "negligible": 2, "unknown": 1,
}

// trivyReport is the part of Trivy's JSON report (SchemaVersion 2) used here.
type trivyReport struct {
	SchemaVersion int
	CreatedAt     string
	ArtifactName  string
	Results       []struct {
		Target          string
		Vulnerabilities []struct {
			VulnerabilityID string
			PkgName         string
			Severity        string
		}
	}
}

// grypeReport is the part of Grype's JSON report (grype -o json) used here.
type grypeReport struct {
	Matches *[]struct {
		Vulnerability struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
		} `json:"vulnerability"`
	} `json:"matches"`
	Source struct {
		// Target is an object with userInput for images, a plain path
		// string for some other sources.
		Target json.RawMessage `json:"target"`
	} `json:"source"`
	Descriptor struct {
		Timestamp string `json:"timestamp"`
	} `json:"descriptor"`
}

// MaxScanReport bounds a scanner report, which is parsed whole.
const MaxScanReport = 32 << 20

// ParseScan reads a Trivy (SchemaVersion 2) or Grype JSON report. The scan
// time is the report's own (Trivy CreatedAt, Grype descriptor.timestamp),
// else scannedAt; with neither it is an error. Problems are returned as
// *Error: a report of another format, a missing asset or time, a finding
// without an id, an unknown severity (Column then holds the JSON path of the
// value, and Line is 0). Errors reading r are returned wrapped.
func ParseScan(r io.Reader, f Format, scannedAt *time.Time) (Scan, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxScanReport+1))
	if err != nil {
		return Scan{}, fmt.Errorf("read scan report: %w", err)
	}
	if len(data) > MaxScanReport {
		return Scan{}, isms.Errorf(isms.ETOOLARGE, "the %s report is larger than %d MiB; scan fewer targets per report", f, MaxScanReport>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || trimmed[0] != '{' {
		reason := fmt.Sprintf("expected a %s JSON report (a JSON object)", f)
		if f == FormatTrivy && len(trimmed) > 0 && trimmed[0] == '[' {
			reason = "this looks like a Trivy report from before SchemaVersion 2; run a current trivy with --format json"
		}
		return Scan{}, fileError(1, "", "", reason)
	}
	var (
		scan = Scan{Findings: make(map[string]string)}
		errs []RowError
		when string
	)
	switch f {
	case FormatTrivy:
		when, errs = parseTrivy(data, &scan)
	case FormatGrype:
		when, errs = parseGrype(data, &scan)
	default:
		return Scan{}, fileError(1, "", string(f), "unknown scanner format; expected trivy or grype")
	}
	if errs == nil {
		errs = scanTime(&scan, f, when, scannedAt)
	}
	if errs != nil {
		return Scan{}, &Error{Errors: errs}
	}
	return scan, nil
}

// decodeError reports a JSON syntax or type error at its line in data.
func decodeError(data []byte, err error) []RowError {
	line := func(off int64) int {
		off = min(max(off, 0), int64(len(data)))
		return bytes.Count(data[:off], []byte("\n")) + 1
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return []RowError{{Line: line(se.Offset), Reason: "invalid JSON: " + se.Error()}}
	case errors.As(err, &te):
		return []RowError{{Line: line(te.Offset), Column: te.Field,
			Reason: fmt.Sprintf("expected a JSON %s here, found %s", jsonTypeName(te.Type.Kind().String()), te.Value)}}
	}
	return []RowError{{Line: line(int64(len(data))), Reason: "invalid JSON: " + err.Error()}}
}

// jsonTypeName names a Go kind the way a JSON author would.
func jsonTypeName(kind string) string {
	switch kind {
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	case "int", "int64", "float64":
		return "number"
	}
	return kind
}

func parseTrivy(data []byte, scan *Scan) (string, []RowError) {
	var rep trivyReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return "", decodeError(data, err)
	}
	if rep.SchemaVersion != 2 {
		return "", []RowError{{Line: 1, Column: "SchemaVersion", Value: fmt.Sprint(rep.SchemaVersion),
			Reason: "expected a Trivy JSON report with SchemaVersion 2 (trivy ... --format json)"}}
	}
	var errs []RowError
	scan.Asset = strings.TrimSpace(rep.ArtifactName)
	if scan.Asset == "" {
		errs = append(errs, RowError{Line: 1, Column: "ArtifactName", Reason: "the report names no scanned artifact; it is the asset the findings belong to"})
	}
	for i, res := range rep.Results {
		for j, v := range res.Vulnerabilities {
			path := fmt.Sprintf("Results[%d].Vulnerabilities[%d]", i, j)
			errs = addFinding(scan, errs, path+".VulnerabilityID", v.VulnerabilityID, path+".Severity", v.Severity)
		}
	}
	return rep.CreatedAt, errs
}

func parseGrype(data []byte, scan *Scan) (string, []RowError) {
	var rep grypeReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return "", decodeError(data, err)
	}
	if rep.Matches == nil {
		return "", []RowError{{Line: 1, Column: "matches", Reason: "expected a Grype JSON report with a matches list (grype ... -o json)"}}
	}
	var errs []RowError
	var target struct {
		UserInput string `json:"userInput"`
	}
	if err := json.Unmarshal(rep.Source.Target, &target); err != nil {
		// Directory and file scans give the target as a plain string.
		_ = json.Unmarshal(rep.Source.Target, &target.UserInput)
	}
	scan.Asset = strings.TrimSpace(target.UserInput)
	if scan.Asset == "" {
		errs = append(errs, RowError{Line: 1, Column: "source.target.userInput", Reason: "the report names no scanned target; it is the asset the findings belong to"})
	}
	for i, m := range *rep.Matches {
		path := fmt.Sprintf("matches[%d].vulnerability", i)
		errs = addFinding(scan, errs, path+".id", m.Vulnerability.ID, path+".severity", m.Vulnerability.Severity)
	}
	return rep.Descriptor.Timestamp, errs
}

// addFinding records one reported vulnerability, keeping the highest
// severity per id, or appends why it cannot.
func addFinding(scan *Scan, errs []RowError, idPath, id, sevPath, severity string) []RowError {
	id = strings.TrimSpace(id)
	sev := strings.ToLower(strings.TrimSpace(severity))
	if sev == "" {
		sev = "unknown"
	}
	switch {
	case id == "":
		return append(errs, RowError{Column: idPath, Reason: "a finding without a vulnerability id"})
	case severityRank[sev] == 0:
		return append(errs, RowError{Column: sevPath, Value: severity,
			Reason: "unknown severity; expected critical, high, medium, low, negligible or unknown"})
	}
	if old, ok := scan.Findings[id]; !ok || severityRank[sev] > severityRank[old] {
		scan.Findings[id] = sev
	}
	return errs
}

// scanTime sets the scan's time from the report's field when, else from
// scannedAt.
func scanTime(scan *Scan, f Format, when string, scannedAt *time.Time) []RowError {
	field := "CreatedAt"
	if f == FormatGrype {
		field = "descriptor.timestamp"
	}
	if when = strings.TrimSpace(when); when != "" {
		t, err := time.Parse(time.RFC3339Nano, when)
		if err != nil {
			return []RowError{{Line: 1, Column: field, Value: when, Reason: "expected an RFC 3339 timestamp"}}
		}
		scan.ScannedAt = t.UTC()
		return nil
	}
	if scannedAt == nil {
		return []RowError{{Line: 1, Column: field,
			Reason: "the report does not say when it was made; " + ScannedAtAdvice}}
	}
	scan.ScannedAt = scannedAt.UTC()
	return nil
}

// ScannedAtAdvice ends the reason a scan without a time is refused (the
// API replaces it with its own parameter's words).
const ScannedAtAdvice = "give the scan's time (pdca import --scanned-at 2026-10-01T09:00:00Z)"
