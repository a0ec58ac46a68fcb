package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// showSettings edits the persisted settings; nothing changes until Save, and a field that does
// not make sense is named in words while the dialog stays open.
func (w *mainWindow) showSettings() {
	base := w.be.Settings()
	f := formFromSettings(base)
	entry := func(text, hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(text)
		e.SetPlaceHolder(hint)
		return e
	}
	dir := entry(f.DownloadDir, "/home/you/Downloads")
	port := entry(f.Port, "6881")
	down, up := entry(f.DownLimit, "0 = unlimited"), entry(f.UpLimit, "0 = unlimited")
	altDown, altUp := entry(f.AltDownLimit, "e.g. 50 KiB"), entry(f.AltUpLimit, "e.g. 50 KiB")
	alt := widget.NewCheck("Use the alternative limits now", nil)
	alt.SetChecked(f.AltEnabled)
	peers, slots := entry(f.MaxPeers, "50"), entry(f.UploadSlots, "4")
	activeDown, activeSeed := entry(f.MaxActiveDownloads, "0 = no limit"), entry(f.MaxActiveSeeds, "0 = no limit")
	startup := widget.NewRadioGroup([]string{"Start torrents", "Load them paused"}, nil)
	startup.Horizontal = true
	startup.SetSelected("Start torrents")
	if f.StartPaused {
		startup.SetSelected("Load them paused")
	}
	tray := widget.NewCheck("Closing the window keeps Swarmscope running in the system tray", nil)
	tray.SetChecked(f.CloseToTray)
	dht := widget.NewCheck("Find peers through the DHT", nil)
	dht.SetChecked(f.DHT)
	problem := newProblemLabel()

	form := widget.NewForm(
		widget.NewFormItem("Download folder", dir),
		&widget.FormItem{Text: "Listening port", Widget: port, HintText: "takes effect when Swarmscope next starts"},
		widget.NewFormItem("Download limit /s", down),
		widget.NewFormItem("Upload limit /s", up),
		widget.NewFormItem("Alternative download /s", altDown),
		widget.NewFormItem("Alternative upload /s", altUp),
		widget.NewFormItem("", alt),
		widget.NewFormItem("Peers per torrent", peers),
		&widget.FormItem{Text: "Upload slots per torrent", Widget: slots,
			HintText: "tit-for-tat while downloading; a seed may use more, one per piece a second of upload"},
		widget.NewFormItem("Active downloads", activeDown),
		widget.NewFormItem("Active seeds", activeSeed),
		widget.NewFormItem("On start-up", startup),
		widget.NewFormItem("", tray),
		&widget.FormItem{Widget: dht, HintText: "turning the DHT on or off takes effect when Swarmscope next starts"},
	)
	d := dialog.NewCustomWithoutButtons("Settings", container.NewVScroll(container.NewVBox(form, problem)), w.win)
	save := widget.NewButton("Save", func() {
		edited := settingsForm{
			DownloadDir: dir.Text, Port: port.Text, DownLimit: down.Text, UpLimit: up.Text,
			AltDownLimit: altDown.Text, AltUpLimit: altUp.Text, AltEnabled: alt.Checked,
			MaxPeers: peers.Text, UploadSlots: slots.Text,
			MaxActiveDownloads: activeDown.Text, MaxActiveSeeds: activeSeed.Text,
			StartPaused: startup.Selected == "Load them paused", CloseToTray: tray.Checked, DHT: dht.Checked,
		}
		s, err := edited.apply(base)
		if err == nil && strings.TrimSpace(dir.Text) != base.DownloadDir {
			err = checkSaveDir(s.DownloadDir)
		}
		if err == nil {
			err = w.be.SetSettings(s)
		}
		if err != nil {
			problem.SetText(userWords(err))
			problem.Show()
			return
		}
		d.Hide()
		w.altLimits = s.AltLimitsEnabled
		if w.turtleItem != nil {
			w.turtleItem.Checked = w.altLimits
			if m := w.win.MainMenu(); m != nil {
				m.Refresh() // a native menu redraws its check mark only then
			}
		}
		w.applyCloseBehaviour(s.CloseToTray)
	})
	save.Importance = widget.HighImportance
	d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), save})
	// Tall enough for every field without scrolling when the window allows it.
	d.Resize(fyne.NewSize(660, min(720, w.win.Canvas().Size().Height-40)))
	d.Show()
}
