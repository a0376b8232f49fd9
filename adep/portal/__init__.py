"""The submission portal: commissioners sign in with their BIN and an access code, upload their report, see every
finding of the intake's own dry run at once in Kazakh or Russian, confirm the warnings and submit; the report goes
into intake/ with a signed receipt (adep.submissions). The portal reads the published warehouse and never writes it.

Modules: `app` (the pages and the JSON API), `service` (what a request does), `checking` (an upload as `adep check`
sees it), `store` (codes' hashes, sessions, uploads, receipts), `reads` (the published warehouse), `access` (codes
for the command line), `uploads` (a size limit that holds while the body streams in), `texts`, `server`.
"""
