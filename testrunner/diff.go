package testrunner

import "strings"

// maxDiffLines bounds the quadratic LCS table; longer values are shown
// whole instead of diffed.
const maxDiffLines = 400

// lineDiff returns unified-style lines ("+" expected, "-" actual, " " both)
// from a longest-common-subsequence alignment. Written by hand because the
// standard library has no diff and this is a few lines for small inputs.
func lineDiff(expected, actual string) []string {
	e, a := strings.Split(expected, "\n"), strings.Split(actual, "\n")
	if len(e) > maxDiffLines || len(a) > maxDiffLines {
		var out []string
		for _, l := range e {
			out = append(out, "+"+l)
		}
		for _, l := range a {
			out = append(out, "-"+l)
		}
		return out
	}
	// lcs[i][j] = LCS length of e[i:] and a[j:]
	lcs := make([][]int, len(e)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(a)+1)
	}
	for i := len(e) - 1; i >= 0; i-- {
		for j := len(a) - 1; j >= 0; j-- {
			if e[i] == a[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(e) && j < len(a) {
		switch {
		case e[i] == a[j]:
			out = append(out, " "+e[i])
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, "+"+e[i])
			i++
		default:
			out = append(out, "-"+a[j])
			j++
		}
	}
	for ; i < len(e); i++ {
		out = append(out, "+"+e[i])
	}
	for ; j < len(a); j++ {
		out = append(out, "-"+a[j])
	}
	return out
}
