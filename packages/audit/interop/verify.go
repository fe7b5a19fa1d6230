// Command verify checks a served nhagiao transparency log with an independent
// implementation of the same specifications: the Go checksum database's
// packages golang.org/x/mod/sumdb/note (C2SP signed-note) and sumdb/tlog
// (RFC 6962 trees, tiles and proofs). Nothing of nhagiao's own code runs here.
//
//	verify -log http://127.0.0.1:8423/v1/log -vkey '<name>+<id>+<base64>' \
//	       [-auditor-key SECRET] [-old OLD_CHECKPOINT_FILE] [-leaves 0,7,300]
//
// It verifies the checkpoint's signature with the verifier key given out of
// band (and that /key serves the same key), authenticates the hash tiles
// against the signed root through tlog.TileHashReader, recomputes the tree
// hash, checks the log's inclusion proofs with tlog.CheckRecord (and that they
// equal tlog.ProveRecord's from the tiles), the entry bundles' leaves against
// the level-0 tiles, and the consistency proof from an older checkpoint with
// tlog.CheckTree. It prints one line per check and exits 1 at the first failure.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

var (
	logURL     = flag.String("log", "", "the log's URL prefix, e.g. http://127.0.0.1:8423/v1/log")
	vkey       = flag.String("vkey", "", "the log's verifier key, <name>+<id>+<base64>")
	auditorKey = flag.String("auditor-key", "", "an auditor API key, to fetch entry bundles")
	oldFile    = flag.String("old", "", "an older signed checkpoint to prove consistency from")
	leavesFlag = flag.String("leaves", "", "comma-separated leaf indexes to prove (the first and last always are)")
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
	os.Exit(1)
}

func ok(format string, args ...interface{}) {
	fmt.Printf("ok   "+format+"\n", args...)
}

func get(path string, auth bool) []byte {
	req, err := http.NewRequest("GET", strings.TrimRight(*logURL, "/")+"/"+path, nil)
	if err != nil {
		fail("%s: %v", path, err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+*auditorKey)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	if res.StatusCode != 200 {
		fail("GET %s: HTTP %d %s", path, res.StatusCode, body)
	}
	return body
}

// tileIndex writes N as C2SP tlog-tiles does: 3-digit groups, all but the last after an x.
func tileIndex(n int64) string {
	s := fmt.Sprintf("%03d", n%1000)
	for n /= 1000; n > 0; n /= 1000 {
		s = fmt.Sprintf("x%03d/%s", n%1000, s)
	}
	return s
}

func tilePath(level string, n int64, w int) string {
	p := "tile/" + level + "/" + tileIndex(n)
	if w != 1<<height {
		p += ".p/" + strconv.Itoa(w)
	}
	return p
}

// tileReader fetches tiles over HTTP by their C2SP paths (the Go checksum
// database's own paths also carry the height; C2SP's do not), each once per run.
type tileReader struct {
	fetched int
	cache   map[tlog.Tile][]byte
}

func (r *tileReader) Height() int { return height }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if data, ok := r.cache[t]; ok {
			out[i] = data
			continue
		}
		out[i] = get(tilePath(strconv.Itoa(t.L), t.N, t.W), false)
		r.cache[t] = out[i]
		r.fetched++
		if len(out[i]) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("tile %s: %d bytes, want %d", tilePath(strconv.Itoa(t.L), t.N, t.W), len(out[i]), t.W*tlog.HashSize)
		}
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// memHashes holds a tree's stored hashes in tlog's order, as recomputed here.
type memHashes []tlog.Hash

func (m *memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*m)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = (*m)[x]
	}
	return out, nil
}

// checkpoint opens a signed note with the log's key and reads its first three lines.
func checkpoint(msg []byte, verifier note.Verifier) (string, tlog.Tree) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		fail("checkpoint text has fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		fail("checkpoint size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var h tlog.Hash
	copy(h[:], root)
	return lines[0], tlog.Tree{N: size, Hash: h}
}

func hashes(list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			fail("proof hash %q is not base64 of 32 bytes", s)
		}
		copy(out[i][:], b)
	}
	return out
}

func sameProof(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func main() {
	flag.Parse()
	if *logURL == "" || *vkey == "" {
		fail("usage: verify -log URL -vkey KEY [-auditor-key K] [-old FILE] [-leaves 0,5]")
	}
	verifier, err := note.NewVerifier(*vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	if served := strings.TrimSpace(string(get("key", false))); served != *vkey {
		fail("/key serves %q, not the key given", served)
	}
	ok("key: /key serves the verifier key given")

	origin, tree := checkpoint(get("checkpoint", false), verifier)
	if origin != verifier.Name() {
		fail("checkpoint origin %q is not the key's name %q", origin, verifier.Name())
	}
	if tree.N == 0 {
		fail("empty tree")
	}
	ok("checkpoint: signed by %s, %d leaves, root %s", verifier.Name(), tree.N, tree.Hash)

	tiles := &tileReader{cache: map[tlog.Tile][]byte{}}
	reader := tlog.TileHashReader(tree, tiles)
	th, err := tlog.TreeHash(tree.N, reader)
	if err != nil {
		fail("tree hash from tiles: %v", err)
	}
	if th != tree.Hash {
		fail("tiles hash to %s, checkpoint says %s", th, tree.Hash)
	}
	ok("tiles: tree hash through tlog.TileHashReader equals the signed root")

	// tlog.TileHashReader (x/mod 0.7.0) does not authenticate every tile it
	// reads against its parent, so the tree is also rebuilt here from the leaf
	// hashes of every level-0 tile with tlog's own hashing, and every tile the
	// log serves (each full one and the partial one of each level) must equal
	// tlog.ReadTileData of that tree.
	mem := &memHashes{}
	for n := int64(0); n*(1<<height) < tree.N; n++ {
		w := int(tree.N - n*(1<<height))
		if w > 1<<height {
			w = 1 << height
		}
		data := get(tilePath("0", n, w), false)
		if len(data) != w*tlog.HashSize {
			fail("tile 0/%d: %d bytes, want %d", n, len(data), w*tlog.HashSize)
		}
		for k := 0; k < w; k++ {
			var h tlog.Hash
			copy(h[:], data[k*tlog.HashSize:])
			stored, err := tlog.StoredHashesForRecordHash(n*(1<<height)+int64(k), h, mem)
			if err != nil {
				fail("stored hashes: %v", err)
			}
			*mem = append(*mem, stored...)
		}
	}
	if th, err := tlog.TreeHash(tree.N, mem); err != nil || th != tree.Hash {
		fail("the leaf hashes of the level-0 tiles hash to %s, checkpoint says %s (%v)", th, tree.Hash, err)
	}
	compared := 0
	for _, t := range tlog.NewTiles(height, 0, tree.N) {
		if t.W != 1<<height && int64(t.W) != (tree.N>>uint(height*t.L))%(1<<height) {
			continue
		}
		want, err := tlog.ReadTileData(t, mem)
		if err != nil {
			fail("tlog.ReadTileData: %v", err)
		}
		if !bytes.Equal(get(tilePath(strconv.Itoa(t.L), t.N, t.W), false), want) {
			fail("tile %s differs from the tree rebuilt from the leaves", tilePath(strconv.Itoa(t.L), t.N, t.W))
		}
		compared++
	}
	ok("tiles: %d leaf hashes rebuild the signed root; all %d tiles equal tlog.ReadTileData of that tree", tree.N, compared)

	indexes := []int64{0, tree.N - 1}
	if *leavesFlag != "" {
		for _, s := range strings.Split(*leavesFlag, ",") {
			i, err := strconv.ParseInt(s, 10, 64)
			if err != nil || i < 0 || i >= tree.N {
				fail("leaf %q is not in the tree of %d", s, tree.N)
			}
			indexes = append(indexes, i)
		}
	}
	for _, i := range indexes {
		var served struct {
			Index    int64    `json:"index"`
			TreeSize int64    `json:"treeSize"`
			LeafHash string   `json:"leafHash"`
			RootHash string   `json:"rootHash"`
			Proof    []string `json:"proof"`
		}
		if err := json.Unmarshal(get(fmt.Sprintf("proof/inclusion?index=%d&treeSize=%d", i, tree.N), false), &served); err != nil {
			fail("inclusion proof of %d: %v", i, err)
		}
		leaf, err := reader.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			fail("leaf hash %d from tiles: %v", i, err)
		}
		if hashes([]string{served.LeafHash})[0] != leaf[0] {
			fail("leaf %d: the proof's leaf hash differs from the tile's", i)
		}
		proof := hashes(served.Proof)
		if err := tlog.CheckRecord(proof, tree.N, tree.Hash, i, leaf[0]); err != nil {
			fail("inclusion proof of leaf %d: %v", i, err)
		}
		mine, err := tlog.ProveRecord(tree.N, i, mem)
		if err != nil {
			fail("tlog.ProveRecord(%d): %v", i, err)
		}
		if !sameProof(mine, proof) {
			fail("inclusion proof of leaf %d differs from tlog.ProveRecord's", i)
		}
		ok("inclusion: leaf %d, %d hashes, checks with tlog.CheckRecord", i, len(proof))
	}

	if *auditorKey != "" {
		entries := 0
		for n := int64(0); n*(1<<height) < tree.N; n++ {
			w := int(tree.N - n*(1<<height))
			if w > 1<<height {
				w = 1 << height
			}
			bundle := get(tilePath("entries", n, w), true)
			for k := 0; k < w; k++ {
				if len(bundle) < 2 {
					fail("entry bundle %d cut short at entry %d", n, k)
				}
				size := int(binary.BigEndian.Uint16(bundle))
				if len(bundle) < 2+size {
					fail("entry bundle %d cut short at entry %d", n, k)
				}
				entry := bundle[2 : 2+size]
				bundle = bundle[2+size:]
				index := n*(1<<height) + int64(k)
				leaf, err := mem.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
				if err != nil {
					fail("leaf hash %d: %v", index, err)
				}
				if tlog.RecordHash(entry) != leaf[0] {
					fail("entry %d does not hash to its leaf in the tiles", index)
				}
				entries++
			}
			if len(bundle) != 0 {
				fail("entry bundle %d has %d bytes after its %d entries", n, len(bundle), w)
			}
		}
		ok("entries: %d leaves from the entry bundles hash to the tiles (tlog.RecordHash)", entries)
	}

	if *oldFile != "" {
		msg, err := os.ReadFile(*oldFile)
		if err != nil {
			fail("%v", err)
		}
		_, old := checkpoint(msg, verifier)
		var served struct {
			From  int64    `json:"from"`
			To    int64    `json:"to"`
			Proof []string `json:"proof"`
		}
		if err := json.Unmarshal(get(fmt.Sprintf("proof/consistency?from=%d&to=%d", old.N, tree.N), false), &served); err != nil {
			fail("consistency proof: %v", err)
		}
		proof := hashes(served.Proof)
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, old.N, old.Hash); err != nil {
			fail("consistency from %d to %d: %v", old.N, tree.N, err)
		}
		mine, err := tlog.ProveTree(tree.N, old.N, mem)
		if err != nil {
			fail("tlog.ProveTree: %v", err)
		}
		if !sameProof(mine, proof) {
			fail("consistency proof differs from tlog.ProveTree's")
		}
		ok("consistency: %d → %d, %d hashes, checks with tlog.CheckTree", old.N, tree.N, len(proof))
	}
	ok("%d tiles fetched", tiles.fetched)
}
