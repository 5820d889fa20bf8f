package journal

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tirun/tirun/urlsession/datadir"
)

// journalWithData makes a closed journal in dir holding a few records, big
// enough to span many pages, and returns the file's path.
func journalWithData(t *testing.T, dir string) string {
	t.Helper()
	j := openT(t, dir)
	for id := uint64(1); id <= 40; id++ {
		r := sampleTask("com.test.s1", id)
		r.Request.Body = bytes.Repeat([]byte{byte(id)}, 2000)
		if err := j.PutTask(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, FileName)
}

// expectSetAside opens a damaged journal and checks the whole recovery: a
// clear report, the old bytes kept aside untouched, a fresh working journal.
func expectSetAside(t *testing.T, dir string, damagedBytes []byte) {
	t.Helper()
	j, err := Open(dir)
	if err != nil {
		t.Fatalf("Open of a damaged journal must recover, got %v", err)
	}
	defer j.Close()
	rec := j.Recovered()
	if rec == nil {
		t.Fatal("damaged journal was not reported")
	}
	path := filepath.Join(dir, FileName)
	msg := rec.String()
	t.Log(msg)
	for _, want := range []string{path, "damaged", rec.MovedTo, "fresh journal"} {
		if !strings.Contains(msg, want) {
			t.Errorf("recovery message %q lacks %q", msg, want)
		}
	}
	if !errors.Is(rec.Reason, ErrDamaged) {
		t.Errorf("Reason %v is not ErrDamaged", rec.Reason)
	}
	if filepath.Dir(rec.MovedTo) != dir || !strings.HasPrefix(filepath.Base(rec.MovedTo), FileName+".corrupt-") {
		t.Errorf("set aside as %q", rec.MovedTo)
	}
	kept, err := os.ReadFile(rec.MovedTo)
	if err != nil || !bytes.Equal(kept, damagedBytes) {
		t.Fatalf("the damaged file must be kept byte for byte (err %v, %d vs %d bytes)", err, len(kept), len(damagedBytes))
	}
	if sessions, err := j.PendingSessions(); err != nil || len(sessions) != 0 {
		t.Fatalf("fresh journal holds %v, %v", sessions, err)
	}
	if id, err := j.NextTaskID("com.test.s1"); err != nil || id != 1 {
		t.Fatalf("fresh journal NextTaskID %d, %v", id, err)
	}
	if err := j.PutTask(sampleTask("com.test.s1", 1)); err != nil {
		t.Fatalf("fresh journal is not writable: %v", err)
	}
	// And it is healthy on the next open.
	j.Close()
	j2 := openT(t, dir)
	if _, found, _ := j2.Task("com.test.s1", 1); !found {
		t.Fatal("record written to the fresh journal was lost")
	}
}

func TestTruncatedJournalIsSetAside(t *testing.T) {
	for _, keep := range []string{"half", "two pages and a bit", "a few bytes"} {
		t.Run(keep, func(t *testing.T) {
			dir := t.TempDir()
			path := journalWithData(t, dir)
			fi, _ := os.Stat(path)
			size := map[string]int64{"half": fi.Size() / 2, "two pages and a bit": 2*int64(os.Getpagesize()) + 100, "a few bytes": 100}[keep]
			if size >= fi.Size() {
				t.Fatalf("journal too small (%d bytes) to truncate to %d", fi.Size(), size)
			}
			if err := os.Truncate(path, size); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			expectSetAside(t, dir, b)
		})
	}
}

func TestGarbageJournalIsSetAside(t *testing.T) {
	dir := t.TempDir()
	garbage := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(r.UintN(256))
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	expectSetAside(t, dir, garbage)
}

// Valid bbolt pages, but a page in the middle overwritten: bbolt itself
// would panic or return nonsense when it reaches it.
func TestScribbledPageIsSetAside(t *testing.T) {
	dir := t.TempDir()
	path := journalWithData(t, dir)
	b, _ := os.ReadFile(path)
	ps := os.Getpagesize()
	for p := 2; p*ps < len(b); p++ { // every page after the two meta pages
		copy(b[p*ps:(p+1)*ps], bytes.Repeat([]byte{0xAB}, ps))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	expectSetAside(t, dir, b)
}

func TestDamagedRecordIsSetAside(t *testing.T) {
	dir := t.TempDir()
	path := journalWithData(t, dir)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		tasks := tx.Bucket(bucketSessions).Bucket([]byte("com.test.s1")).Bucket(bucketTasks)
		return tasks.Put(key(3, partStatus), []byte("{not json"))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	expectSetAside(t, dir, b)
}

func TestForeignDatabaseIsSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("someone else's")); return err })
	db.Close()
	b, _ := os.ReadFile(path)
	expectSetAside(t, dir, b)
}

// A file created by bbolt but killed before our first transaction (empty,
// or with no buckets) is a new journal, not damage.
func TestUnfinishedCreationIsNotDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	j := openT(t, dir) // fails on a recovery report
	j.Close()

	dir2 := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir2, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	j = openT(t, dir2)
	if id, err := j.NextTaskID("s"); err != nil || id != 1 {
		t.Fatalf("NextTaskID %d %v", id, err)
	}
}

func TestNewerFormatIsRefusedAndKept(t *testing.T) {
	dir := t.TempDir()
	path := journalWithData(t, dir)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyFormat, u64(formatVersion+1)) })
	db.Close()
	before, _ := os.ReadFile(path)

	_, err = Open(dir)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Version != formatVersion+1 || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open of a newer journal: %v", err)
	}
	after, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if !bytes.Equal(before, after) || len(entries) != 2 { // journal.db + LOCK
		t.Fatalf("a newer journal must be left alone (entries %v)", entries)
	}
	// The refusal released the directory.
	if l, err := datadir.Acquire(dir); err != nil {
		t.Fatalf("Open left the directory locked: %v", err)
	} else {
		l.Release()
	}
}

func TestInUseInSameProcess(t *testing.T) {
	dir := t.TempDir()
	j := openT(t, dir)
	_, err := Open(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, ErrInUse) || !errors.Is(err, datadir.ErrInUse) {
		t.Fatalf("second Open: %v", err)
	}
	if inUse.PID != os.Getpid() || !strings.Contains(err.Error(), filepath.Join(dir, FileName)) ||
		!strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("message %q should name the file and our pid", err)
	}
	j.Close()
	j2, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	j2.Close()
}

// A tool holding the bbolt file directly (no directory lock) still makes
// Open fail fast with ErrInUse, and never makes it "repair" the file.
func TestInUseByFileLockFailsFast(t *testing.T) {
	dir := t.TempDir()
	path := journalWithData(t, dir)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	_, err = Open(dir)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open while the file is locked: %v", err)
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("Open waited %v on a busy file", waited)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "corrupt") {
			t.Fatalf("a busy journal was set aside: %v", e.Name())
		}
	}
}

func TestInUseByAnotherProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	child := helperCmd(ctx, "hold:"+dir)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "open\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	_, err = Open(dir)
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != child.Process.Pid {
		t.Fatalf("Open while another process holds the journal: %v (child pid %d)", err, child.Process.Pid)
	}
	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	j := openT(t, dir) // free again, and not damaged by the contention
	j.Close()
}
