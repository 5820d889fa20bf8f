// Package termui is the terminal side of `tirun run`: live progress bars for running
// transfers (github.com/vbauerster/mpb/v8), log lines printed above the bars without
// tearing them, and level-coloured log tags.
//
// The View is a telemetry.Observer: it turns engine events into bars. It is only meant for
// a terminal; the command decides (IsTerminal) and writes plain text otherwise.
package termui
