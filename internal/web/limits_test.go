package web_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pdca/pdca/internal/isms"
	"github.com/pdca/pdca/internal/store"
	"github.com/pdca/pdca/internal/store/storetest"
	"github.com/pdca/pdca/internal/web"
)

// limitsEnv is a server with the limits given and an organisation with
// an admin's API token.
func limitsEnv(t *testing.T, db *store.DB, l web.Limits) (*env, string) {
	t.Helper()
	a := newApp(t, db)
	e := startServer(t, a, func(string) web.Config { return web.Config{Version: "test", Limits: l} })
	o := mustOrg(t, a, "acme", "Acme")
	_, secret := mustToken(t, a, o, isms.RoleAdmin, isms.ScopeWrite)
	return e, secret
}

const importPath = "/api/v1/orgs/acme/records/incidents/imports"

// rawRequest sends a request's head on a new connection and returns the
// connection; the caller sends the body (or not).
func rawRequest(t *testing.T, e *env, method, path string, header http.Header) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", e.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// A safety net against a hung test, not a measurement: the answers
	// below come long before.
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, e.ts.Listener.Addr())
	_ = header.Write(&b)
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	return conn
}

// trickle sends body on conn one byte per tick until it is all sent or the
// answer has come (answered is closed); it returns the bytes sent.
func trickle(conn net.Conn, body []byte, tick time.Duration, answered <-chan struct{}) <-chan int {
	sent := make(chan int, 1)
	go func() {
		n := 0
		defer func() { sent <- n }()
		for n < len(body) {
			select {
			case <-answered:
				return
			case <-time.After(tick):
			}
			if _, err := conn.Write(body[n : n+1]); err != nil {
				return
			}
			n++
		}
	}()
	return sent
}

func readAnswer(t *testing.T, conn net.Conn) *http.Response {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

// A client sending a body one byte at a time is cut off: an ordinary
// form after ReadTimeout, an upload once it falls below the minimum rate
// after the grace period. Before, only the headers had a timeout, so both
// stayed open as long as the client liked.
func TestSlowBodyIsCutOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, secret := limitsEnv(t, db, web.Limits{ReadTimeout: 200 * time.Millisecond, UploadGrace: 200 * time.Millisecond, UploadMinRate: 1 << 10})
		form := []byte(url.Values{"email": {"admin@acme.example"}, "password": {strings.Repeat("x", 200)}}.Encode())
		file := []byte(incidentsCSV("Acme") + strings.Repeat("INC-9,Slow,low,2026-10-07 10:00,,,\n", 10))
		tests := []struct {
			name, path string
			header     http.Header
			body       []byte
		}{
			{"sign-in form", "/signin", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, form},
			{"API import", importPath + "?format=csv", http.Header{"Content-Type": {"text/csv"}, "Authorization": {"Bearer " + secret}}, file},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.header.Set("Content-Length", fmt.Sprint(len(tt.body)))
				conn := rawRequest(t, e, http.MethodPost, tt.path, tt.header)
				answered := make(chan struct{})
				sent := trickle(conn, tt.body, 20*time.Millisecond, answered)
				resp := readAnswer(t, conn)
				close(answered)
				n := <-sent
				if resp.StatusCode != http.StatusRequestTimeout || n >= len(tt.body) {
					body, _ := io.ReadAll(resp.Body)
					t.Fatalf("status %d after %d of %d bytes, want 408 before the body was sent: %.300s", resp.StatusCode, n, len(tt.body), body)
				}
			})
		}
	})
}

// An import body beyond MaxUpload is refused with 413 without being read:
// at once when Content-Length says so, after MaxUpload bytes otherwise.
// Before, huma read up to 256 MiB of it into memory.
func TestImportBodyLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, secret := limitsEnv(t, db, web.Limits{MaxUpload: 64 << 10})
		auth := "Bearer " + secret
		t.Run("Content-Length", func(t *testing.T) {
			conn := rawRequest(t, e, http.MethodPost, importPath+"?format=csv", http.Header{"Authorization": {auth}, "Content-Length": {"1048576"}})
			resp := readAnswer(t, conn) // no body byte was sent
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "larger than the 64 KiB an import may be") {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
		})
		t.Run("chunked", func(t *testing.T) {
			conn := rawRequest(t, e, http.MethodPost, importPath+"?format=csv", http.Header{"Authorization": {auth}, "Transfer-Encoding": {"chunked"}})
			const total = 64 << 20 // more than the kernel's socket buffers hold
			written := make(chan int64, 1)
			go func() {
				chunk := []byte(fmt.Sprintf("%x\r\n%s\r\n", 32<<10, strings.Repeat("a", 32<<10)))
				var n int64
				for n < total {
					if _, err := conn.Write(chunk); err != nil {
						break
					}
					n += 32 << 10
				}
				written <- n
			}()
			resp := readAnswer(t, conn)
			conn.Close()
			if n := <-written; resp.StatusCode != http.StatusRequestEntityTooLarge || n >= total {
				t.Fatalf("status %d after %d of %d bytes written, want 413 before the end", resp.StatusCode, n, total)
			}
		})
	})
}

// Ordinary forms are bounded by MaxBody, with a clear 413; before, a sign-in
// form of any size was read.
func TestFormBodyLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, _ := limitsEnv(t, db, web.Limits{})
		r := e.do(t, e.client(t, false), http.MethodPost, "/signin", url.Values{"email": {"admin@acme.example"}, "password": {strings.Repeat("x", 2<<20)}}, nil)
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "larger than the 1 MiB allowed here") {
			t.Fatalf("status %d: %.500s", r.status, r.body)
		}
	})
}

// At most MaxImports imports run at once; the next gets 429 with
// Retry-After. Before, any number ran together.
func TestImportSlots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// The first import may reach its slot after a second one took it;
		// it then waits up to ImportWait, long beside a dry run of 2 rows.
		e, secret := limitsEnv(t, db, web.Limits{MaxImports: 1, ImportWait: 2 * time.Second, UploadGrace: time.Minute})
		auth := http.Header{"Authorization": {"Bearer " + secret}, "Content-Type": {"text/csv"}}
		file := incidentsCSV("Acme")
		// The first import holds the slot while its body is incomplete.
		conn := rawRequest(t, e, http.MethodPost, importPath+"?format=csv&dry_run=true", http.Header{"Authorization": auth["Authorization"], "Content-Length": {fmt.Sprint(len(file))}})
		if _, err := io.WriteString(conn, file[:10]); err != nil {
			t.Fatal(err)
		}
		c := e.client(t, false)
		var r result
		for range 1000 { // until the first has taken its slot
			if r = e.do(t, c, http.MethodPost, importPath+"?format=csv&dry_run=true", jsonBody(file), auth); r.status == http.StatusTooManyRequests {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "1 imports are running") {
			t.Fatalf("second import: status %d, Retry-After %q: %s", r.status, r.header.Get("Retry-After"), r.body)
		}
		if _, err := io.WriteString(conn, file[10:]); err != nil {
			t.Fatal(err)
		}
		if resp := readAnswer(t, conn); resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(resp.Body)
			t.Fatalf("first import: %d %s", resp.StatusCode, body)
		}
		if r := e.do(t, c, http.MethodPost, importPath+"?format=csv&dry_run=true", jsonBody(file), auth); r.status != http.StatusOK {
			t.Fatalf("import after the slot is free: %d %s", r.status, r.body)
		}
	})
}

// A workbook bomb gets 413 at once, through the API and the upload form.
func TestXLSXBombRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, secret := limitsEnv(t, db, web.Limits{})
		bomb := xlsxBomb(t, 2<<20) // one cell of 2 MiB of "A", 2 KiB compressed
		r := e.do(t, e.client(t, false), http.MethodPost, importPath+"?format=xlsx&dry_run=true", jsonBody(bomb),
			http.Header{"Authorization": {"Bearer " + secret}})
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "the workbook is too large to import") {
			t.Fatalf("API: status %d: %s", r.status, r.body)
		}
		c := e.signIn(t, "admin@acme.example")
		r = e.do(t, c, http.MethodPost, "/o/acme/imports", upload{fields: url.Values{"kind": {"incidents"}}, name: "bomb.xlsx", contents: bomb}, nil)
		if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "too large to import") {
			t.Fatalf("upload form: status %d: %.400s", r.status, r.body)
		}
	})
}

// xlsxBomb is an incidents workbook whose one data cell holds n bytes.
func xlsxBomb(t *testing.T, n int) string {
	t.Helper()
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"ref", "title"})
	var base bytes.Buffer
	if err := f.Write(&base); err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if zf.Name != "xl/worksheets/sheet1.xml" {
			_ = zw.Copy(zf)
			continue
		}
		w, _ := zw.Create(zf.Name)
		io.WriteString(w, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ref</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>`)
		io.WriteString(w, strings.Repeat("A", n))
		io.WriteString(w, `</t></is></c></row></sheetData></worksheet>`)
	}
	_ = zw.Close()
	return out.String()
}

// A file in which every row is bad is answered with the first 1,000
// problems and their total, through the API and the upload page.
func TestAllBadFileListsFirstThousand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, secret := limitsEnv(t, db, web.Limits{})
		var b strings.Builder
		b.WriteString("ref,title,severity,detected_at\n")
		for i := range 1500 {
			fmt.Fprintf(&b, "INC-%d,t,apocalyptic,2026-10-01\n", i)
		}
		r := e.do(t, e.client(t, false), http.MethodPost, importPath+"?format=csv", jsonBody(b.String()), http.Header{"Authorization": {"Bearer " + secret}})
		var problem struct {
			Detail string
			Errors []struct{ Location string }
		}
		_ = json.Unmarshal([]byte(r.body), &problem)
		if r.status != http.StatusUnprocessableEntity || len(problem.Errors) != 1000 || !strings.Contains(problem.Detail, "the first 1,000 of 1,500 problems") {
			t.Fatalf("API: status %d, %d errors, detail %q", r.status, len(problem.Errors), problem.Detail)
		}
		c := e.signIn(t, "admin@acme.example")
		r = e.do(t, c, http.MethodPost, "/o/acme/imports", upload{fields: url.Values{"kind": {"incidents"}}, name: "bad.csv", contents: b.String()}, nil)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "the first 1,000 of 1,500 problems") || strings.Count(r.body, "apocalyptic") != 1000 {
			t.Fatalf("upload page: status %d, %d rows listed", r.status, strings.Count(r.body, "apocalyptic"))
		}
	})
}
