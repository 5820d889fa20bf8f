package testrunner

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// IsTestFile reports whether name looks like a test file: *.test.js or
// *.spec.js (also .cjs).
func IsTestFile(name string) bool {
	for _, suffix := range []string{".test.js", ".spec.js", ".test.cjs", ".spec.cjs"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// Discover expands paths into test files: a file is taken as given (even if
// its name does not match), a directory is walked for test files, skipping
// node_modules and hidden directories. With no paths, ./test is used if it
// exists, else the current directory. Results are sorted and unique.
func Discover(paths []string) ([]string, error) {
	if len(paths) == 0 {
		if st, err := os.Stat("test"); err == nil && st.IsDir() {
			paths = []string{"test"}
		} else {
			paths = []string{"."}
		}
	}
	seen := map[string]bool{}
	var files []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("test path %q: %w", p, err)
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if path != p && (name == "node_modules" || strings.HasPrefix(name, ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if IsTestFile(d.Name()) {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walking %q: %w", p, err)
		}
	}
	sort.Strings(files)
	return files, nil
}
