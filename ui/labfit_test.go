package ui

import (
	"runtime"
	"strconv"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/swarmscope/swarmscope/engine/lab"
)

// Typing a large N scales the default rates to what the machine carries
// (and says so); typing a rate of one's own stops that; Reset brings the
// defaults back.
func TestLabFormFitsDefaultRatesToN(t *testing.T) {
	w := newLabWindow(test.NewTempApp(t))
	defer w.win.Close()
	def := defaultLabForm()
	w.peers.SetText("10")
	if w.peerUp.Text != def.PeerUpload || w.fitNote.Visible() {
		t.Fatalf("N = 10 changed u to %q (note shown %v)", w.peerUp.Text, w.fitNote.Visible())
	}
	n := 60 * runtime.NumCPU() // well past the budget on any machine
	w.peers.SetText(strconv.Itoa(n))
	cfg, err := w.form().config()
	if err != nil {
		t.Fatal(err)
	}
	want, note := lab.DefaultConfig().FitToMachine(n, runtime.NumCPU())
	if note == "" || cfg.PeerUpload != want.PeerUpload || cfg.SeedUpload != want.SeedUpload || !w.fitNote.Visible() {
		t.Fatalf("N = %d: u %d, u_s %d, note shown %v; want %d and %d with the note", n, cfg.PeerUpload, cfg.SeedUpload, w.fitNote.Visible(), want.PeerUpload, want.SeedUpload)
	}
	w.peerUp.SetText("1 MiB") // the user's own rate
	w.peers.SetText(strconv.Itoa(n + 1))
	if w.peerUp.Text != "1 MiB" || w.fitNote.Visible() {
		t.Errorf("a rate the user typed was replaced by %q (note shown %v)", w.peerUp.Text, w.fitNote.Visible())
	}
	w.setForm(defaultLabForm())
	if w.peerUp.Text != def.PeerUpload {
		t.Errorf("the default form shows u = %q, want %q", w.peerUp.Text, def.PeerUpload)
	}
}
