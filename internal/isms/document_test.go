package isms_test

import (
	"archive/zip"
	"bytes"
	"testing"
	"time"

	"github.com/pdca/pdca/internal/isms"
)

func validDoc() isms.Document {
	return isms.Document{Ref: " POL-01 ", Title: " Information security policy ", Kind: isms.DocPolicy, Classification: isms.ClassInternal,
		OwnerID: 1, ApproverRole: isms.RoleManagement, ReviewMonths: 12}
}

func TestDocumentValidate(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*isms.Document)
		code   string
	}{
		{"ok", func(*isms.Document) {}, ""},
		{"no ref", func(d *isms.Document) { d.Ref = "  " }, isms.EINVALID},
		{"ref with space", func(d *isms.Document) { d.Ref = "POL 1" }, isms.EINVALID},
		{"no title", func(d *isms.Document) { d.Title = "" }, isms.EINVALID},
		{"bad kind", func(d *isms.Document) { d.Kind = "memo" }, isms.EINVALID},
		{"bad classification", func(d *isms.Document) { d.Classification = "secret" }, isms.EINVALID},
		{"no owner", func(d *isms.Document) { d.OwnerID = 0 }, isms.EINVALID},
		{"bad approver role", func(d *isms.Document) { d.ApproverRole = "boss" }, isms.EINVALID},
		{"zero months", func(d *isms.Document) { d.ReviewMonths = 0 }, isms.EINVALID},
		{"too many months", func(d *isms.Document) { d.ReviewMonths = 61 }, isms.EINVALID},
		{"approver twice", func(d *isms.Document) { d.Approvers = []int64{2, 2} }, isms.EINVALID},
	} {
		d := validDoc()
		tt.change(&d)
		if got := isms.ErrorCode(d.Validate()); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
		}
		if tt.code == "" && (d.Ref != "POL-01" || d.Title != "Information security policy") {
			t.Errorf("%s: not trimmed: %q %q", tt.name, d.Ref, d.Title)
		}
	}
}

func TestNextNumber(t *testing.T) {
	for _, tt := range []struct {
		maj, min     int
		major        bool
		wantMaj, wMn int
	}{
		{0, 0, true, 1, 0},
		{0, 0, false, 0, 1},
		{1, 0, false, 1, 1},
		{1, 3, true, 2, 0},
		{2, 9, false, 2, 10},
	} {
		M, m := isms.NextNumber(tt.maj, tt.min, tt.major)
		if M != tt.wantMaj || m != tt.wMn {
			t.Errorf("NextNumber(%d, %d, %v) = %d.%d, want %d.%d", tt.maj, tt.min, tt.major, M, m, tt.wantMaj, tt.wMn)
		}
	}
}

func TestVersionLifecycle(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name     string
		status   isms.VersionStatus
		body     string
		file     string
		op       string
		code     string
		want     isms.VersionStatus
		editable string
	}{
		{"submit draft", isms.VerDraft, "# Policy", "", "submit", "", isms.VerInReview, ""},
		{"submit empty draft", isms.VerDraft, "  \n", "", "submit", isms.EINVALID, isms.VerDraft, ""},
		{"submit file draft", isms.VerDraft, "", isms.TypePDF, "submit", "", isms.VerInReview, ""},
		{"submit in review", isms.VerInReview, "x", "", "submit", isms.ECONFLICT, isms.VerInReview, isms.ECONFLICT},
		{"approve in review", isms.VerInReview, "x", "", isms.DecisionApprove, "", isms.VerApproved, isms.ECONFLICT},
		{"reject in review", isms.VerInReview, "x", "", isms.DecisionReject, "", isms.VerDraft, isms.ECONFLICT},
		{"approve draft", isms.VerDraft, "x", "", isms.DecisionApprove, isms.ECONFLICT, isms.VerDraft, ""},
		{"approve approved", isms.VerApproved, "x", "", isms.DecisionApprove, isms.ECONFLICT, isms.VerApproved, isms.ECONFLICT},
		{"reject superseded", isms.VerSuperseded, "x", "", isms.DecisionReject, isms.ECONFLICT, isms.VerSuperseded, isms.ECONFLICT},
		{"unknown decision", isms.VerInReview, "x", "", "maybe", isms.EINVALID, isms.VerInReview, isms.ECONFLICT},
	} {
		v := isms.DocumentVersion{Major: 1, Status: tt.status, Body: tt.body, FileType: tt.file}
		if got := isms.ErrorCode(v.CheckEditable()); got != tt.editable {
			t.Errorf("%s: editable code %q, want %q", tt.name, got, tt.editable)
		}
		var err error
		if tt.op == "submit" {
			err = v.Submit(now)
		} else {
			err = v.Decide(tt.op, 7, now)
		}
		if got := isms.ErrorCode(err); got != tt.code {
			t.Errorf("%s: code %q, want %q (%v)", tt.name, got, tt.code, err)
		}
		if v.Status != tt.want {
			t.Errorf("%s: status %s, want %s", tt.name, v.Status, tt.want)
		}
		if v.Status == isms.VerApproved && tt.code == "" && (v.ApprovedAt == nil || !v.ApprovedAt.Equal(now) || v.ApprovedBy != 7) {
			t.Errorf("%s: approval not recorded: %v %d", tt.name, v.ApprovedAt, v.ApprovedBy)
		}
	}
}

func TestCheckApprover(t *testing.T) {
	d := validDoc()
	d.Approvers = []int64{5}
	for _, tt := range []struct {
		name   string
		user   int64
		role   isms.Role
		author int64
		others bool
		code   string
	}{
		{"approver role", 2, isms.RoleManagement, 9, true, ""},
		{"named approver with other role", 5, isms.RoleViewer, 9, true, ""},
		{"admin is not an approver by role", 3, isms.RoleAdmin, 9, true, isms.EFORBIDDEN},
		{"author with others eligible", 2, isms.RoleManagement, 2, true, isms.EFORBIDDEN},
		{"author as the only one who could", 2, isms.RoleManagement, 2, false, ""},
	} {
		if got := isms.ErrorCode(d.CheckApprover(tt.user, tt.role, tt.author, tt.others)); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
		}
	}
}

func TestNextReview(t *testing.T) {
	for _, tt := range []struct {
		from   string
		months int
		want   string
	}{
		{"2026-03-15T10:00:00Z", 12, "2027-03-15T10:00:00Z"},
		{"2026-01-31T00:00:00Z", 1, "2026-02-28T00:00:00Z"},
		{"2027-11-30T08:30:00Z", 3, "2028-02-29T08:30:00Z"},
		{"2026-08-31T00:00:00Z", 6, "2027-02-28T00:00:00Z"},
	} {
		from, _ := time.Parse(time.RFC3339, tt.from)
		if got := isms.NextReview(from, tt.months).Format(time.RFC3339); got != tt.want {
			t.Errorf("NextReview(%s, %d) = %s, want %s", tt.from, tt.months, got, tt.want)
		}
	}
	d := validDoc()
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	if d.NextReviewAt = &past; !d.ReviewOverdue(now) {
		t.Error("a past review date is overdue")
	}
	if d.NextReviewAt = &future; d.ReviewOverdue(now) {
		t.Error("a future review date is not overdue")
	}
	if d.NextReviewAt, d.RetiredAt = &past, &past; d.ReviewOverdue(now) {
		t.Error("a retired document is never overdue")
	}
}

func zipWith(t *testing.T, name string) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("<x/>"))
	z.Close()
	return buf.Bytes()
}

func TestDetectDocumentFile(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		want string
		code string
	}{
		{"pdf", []byte("%PDF-1.7\n..."), isms.TypePDF, ""},
		{"docx", zipWith(t, "word/document.xml"), isms.TypeDOCX, ""},
		{"xlsx", zipWith(t, "xl/workbook.xml"), isms.TypeXLSX, ""},
		{"other zip", zipWith(t, "evil.exe"), "", isms.EINVALID},
		{"broken zip", []byte("PK\x03\x04garbage"), "", isms.EINVALID},
		{"html named pdf", []byte("<html>%PDF-</html>"), "", isms.EINVALID},
		{"empty", nil, "", isms.EINVALID},
		{"too large", append([]byte("%PDF-"), make([]byte, isms.MaxDocumentFile)...), "", isms.EINVALID},
	} {
		got, err := isms.DetectDocumentFile(tt.data)
		if got != tt.want || isms.ErrorCode(err) != tt.code {
			t.Errorf("%s: %q %v, want %q %q", tt.name, got, err, tt.want, tt.code)
		}
	}
}

func TestHashText(t *testing.T) {
	// sha256("abc"), FIPS 180-2 appendix B.1.
	if got := isms.HashText("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashText(abc) = %s", got)
	}
	if isms.HashText("ä") != isms.HashBytes([]byte{0xc3, 0xa4}) {
		t.Error("text is hashed as UTF-8")
	}
}
