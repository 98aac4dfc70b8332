package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/storetest"
)

func openAt(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func tempPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "gatehouse.db")
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openAt(t, tempPath(t)) })
}

func TestReopen(t *testing.T) {
	path := tempPath(t)
	open := func(t *testing.T) store.Store { return openAt(t, path) }
	storetest.RunDurability(t, open, open)
}

// Paths are passed to SQLite as file: URIs; characters that mean something
// in a URI must still name the file.
func TestPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%20chars&x=y")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "my db?.sqlite")
	open := func(t *testing.T) store.Store { return openAt(t, path) }
	storetest.RunDurability(t, open, open)
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at its path: %v", err)
	}
}

func TestSecondOpenFails(t *testing.T) {
	path := tempPath(t)
	first := openAt(t, path)
	if _, err := sqlite.Open(path); !errors.Is(err, sqlite.ErrInUse) ||
		!strings.Contains(err.Error(), "data directory is in use by another gatehouse process") {
		t.Fatalf("second Open: %v, want ErrInUse", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	openAt(t, path).Close()
}

func TestNewerSchemaRefused(t *testing.T) {
	path := tempPath(t)
	openAt(t, path).Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'later')")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer schema: %v, want an error", err)
	}
}

func TestClosed(t *testing.T) {
	s := openAt(t, tempPath(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	err := s.Update(t.Context(), func(store.Tx) error { return nil })
	if !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("Update after Close: %v", err)
	}
	if _, err := s.Get(t.Context(), "user", "u1"); err == nil {
		t.Error("Get after Close: no error")
	}
}

// Updates queue for the single writer; the wait ends with ctx.
func TestUpdateWaitHonoursContext(t *testing.T) {
	s := openAt(t, tempPath(t))
	defer s.Close()
	hold, release := make(chan struct{}), make(chan struct{})
	go s.Update(t.Context(), func(store.Tx) error {
		close(hold)
		<-release
		return nil
	})
	<-hold
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	err := s.Update(ctx, func(store.Tx) error { return nil })
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("queued Update: %v, want DeadlineExceeded", err)
	}
}

// The kill tests re-run this test binary as a child that writes; the
// environment says what the child does.
const (
	childDB   = "GATEHOUSE_SQLITE_TEST_DB"
	childMode = "GATEHOUSE_SQLITE_TEST_MODE"
	childN    = 50
)

// TestMain runs the kill tests' child (this binary, re-run with childDB
// set) instead of the tests.
func TestMain(m *testing.M) {
	if path := os.Getenv(childDB); path != "" {
		runChild(path)
	}
	os.Exit(m.Run())
}

// runChild writes and acknowledges records until it is killed.
func runChild(path string) {
	s, err := sqlite.Open(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Println("open")
	mode := os.Getenv(childMode)
	for i := 0; mode != "hold"; i++ {
		id := fmt.Sprintf("rec-%05d", i)
		err := s.Update(context.Background(), func(tx store.Tx) error {
			_, err := tx.Create(context.Background(), store.Record{Kind: "k", ID: id, Keys: []string{"key:" + id}, Data: []byte(id)})
			return err
		})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("acked", id) // only after Update returned
		if mode == "self" && i == childN-1 {
			// Die at once: no Close, no checkpoint, WAL left as it is.
			p, _ := os.FindProcess(os.Getpid())
			p.Kill()
		}
	}
	time.Sleep(time.Minute) // until killed
	os.Exit(4)
}

// startChild runs the child and returns it with a scanner on its stdout.
func startChild(t *testing.T, path, mode string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), childDB+"="+path, childMode+"="+mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "open" {
		t.Fatalf("child did not open the store: %q", sc.Text())
	}
	return cmd, sc
}

// An Update that returned nil is on disk even if the process is killed
// (SIGKILL) straight afterwards, or while it is in the middle of the next one.
func TestKilledWriterKeepsAcknowledgedWrites(t *testing.T) {
	for _, mode := range []string{"self", "parent"} {
		t.Run(mode, func(t *testing.T) {
			path := tempPath(t)
			cmd, sc := startChild(t, path, mode)
			var acked []string
			for sc.Scan() {
				id, ok := strings.CutPrefix(sc.Text(), "acked ")
				if !ok {
					t.Fatalf("child: %s", sc.Text())
				}
				acked = append(acked, id)
				if mode == "parent" && len(acked) == childN {
					cmd.Process.Kill()
				}
			}
			err := cmd.Wait()
			wantKilled(t, err)
			if len(acked) < childN {
				t.Fatalf("child acknowledged %d writes, want at least %d", len(acked), childN)
			}

			s := openAt(t, path)
			defer s.Close()
			for _, id := range acked {
				r, err := s.Get(t.Context(), "k", id)
				if err != nil || string(r.Data) != id {
					t.Fatalf("acknowledged %s after kill: %v", id, err)
				}
				if _, err := s.Lookup(t.Context(), "k", "key:"+id); err != nil {
					t.Fatalf("key of acknowledged %s after kill: %v", id, err)
				}
			}
			if rev, _ := s.Revision(t.Context()); rev < int64(len(acked)) {
				t.Errorf("Revision after kill = %d, want >= %d", rev, len(acked))
			}
		})
	}
}

// The lock dies with its process: a crash leaves nothing to clean up.
func TestLockHeldByOtherProcess(t *testing.T) {
	path := tempPath(t)
	cmd, _ := startChild(t, path, "hold")
	if _, err := sqlite.Open(path); !errors.Is(err, sqlite.ErrInUse) {
		t.Fatalf("Open while another process has it: %v, want ErrInUse", err)
	}
	cmd.Process.Kill()
	wantKilled(t, cmd.Wait())
	openAt(t, path).Close()
}

func wantKilled(t *testing.T, err error) {
	t.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child: %v, want killed", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && runtime.GOOS != "windows" &&
		(!ws.Signaled() || ws.Signal() != syscall.SIGKILL) {
		t.Fatalf("child: %v, want killed by SIGKILL", err)
	}
}
