package widgets

// PieceState is what we know about one of our pieces, as the piece bar shows it.
type PieceState uint8

// The piece states, in the order the bar's palette is indexed by.
const (
	// PieceMissing is a wanted piece we have none of yet (the zero value).
	PieceMissing PieceState = iota
	// PieceDownloading is a piece with blocks requested or received but not yet verified.
	PieceDownloading
	// PieceHave is a piece we hold and whose SHA-1 hash checked out.
	PieceHave
	// PieceSkipped is a piece only deselected files need, so it is not downloaded.
	PieceSkipped

	pieceStateCount // number of states; sizes the palette
)

// String names the state in the words the legend uses.
func (s PieceState) String() string {
	switch s {
	case PieceMissing:
		return "missing"
	case PieceDownloading:
		return "downloading"
	case PieceHave:
		return "have"
	case PieceSkipped:
		return "skipped"
	default:
		return "unknown"
	}
}
