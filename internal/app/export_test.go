package app

// SetImportChunkHook makes Import call fn after each chunk of rows it
// writes ahead of its final transaction commits (tests only).
func SetImportChunkHook(a *App, fn func(written int)) { a.importChunkHook = fn }
