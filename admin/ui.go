package admin

import (
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// placeholderPage is served when the handler has no UI files.
const placeholderPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Octopus</title></head>
<body><h1>Octopus</h1><p>The web UI is not part of this build. The admin API is at /api/v1/.</p></body></html>
`

// uiServer serves the web UI: its files, and index.html for every other
// path so the single-page app can route on the client.
type uiServer struct {
	files fs.FS
}

func newUIServer(files fs.FS) *uiServer { return &uiServer{files: files} }

func (u *uiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if u.files == nil {
		u.placeholder(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(u.files, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				// Build tools put content hashes in asset names.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			http.ServeFileFS(w, r, u.files, name)
			return
		}
	}
	index, err := fs.ReadFile(u.files, "index.html")
	if err != nil {
		u.placeholder(w, r)
		return
	}
	u.html(w, r, index)
}

func (u *uiServer) placeholder(w http.ResponseWriter, r *http.Request) {
	u.html(w, r, []byte(placeholderPage))
}

// html writes the app's entry page; it is never cached, so a new build
// is picked up at once.
func (u *uiServer) html(w http.ResponseWriter, r *http.Request, page []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(page)
	}
}
