package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"iwtoolkit/internal/config"
	"iwtoolkit/internal/store/sqlite"
)

const backupHelp = `Usage: iwtoolkit backup --to FILE

Copies the embedded store (IWT_DATA_DIR/iwtoolkit.db) to FILE, a new file,
while the service runs: SQLite's VACUUM INTO copies the database as it was
at one moment, without holding up the service's writes, and the copy is
checked (quick_check) before it is given its name. Copying iwtoolkit.db
with cp while the service runs can give a broken copy.

To restore: stop the service, put the copy in place as iwtoolkit.db,
remove iwtoolkit.db-wal and iwtoolkit.db-shm if they are there, and start
it. For MongoDB, use mongodump or the provider's snapshots
(docs/deployment.md, "Backups and restore").
`

func backup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flagSet("backup", backupHelp, stdout)
	to := fs.String("to", "", "the file to write (it must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *to == "" {
		fmt.Fprintln(stdout, "iwtoolkit backup: give --to FILE")
		return errUsage
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	if cfg.MongoURI != "" {
		return errors.New("backup: MONGODB_URI is set: back up MongoDB with mongodump --oplog or the provider's snapshots (docs/deployment.md)")
	}
	res, err := sqlite.Backup(ctx, cfg.DataDir, *to)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %d responses to %s (%.1f MB, checked) in %v\n", res.Responses, res.Path, float64(res.Bytes)/1e6, res.Took.Round(1e6))
	return nil
}
