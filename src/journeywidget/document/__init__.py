"""The journey document: its schema, the one edit path, history, files, migrations."""
