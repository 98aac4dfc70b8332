package directory

import "time"

// ZeroTime means "use the default" where a time is optional.
var ZeroTime time.Time
