"""Form 1-әу as a workbook: the printed layout and the writer used by templates and sample files."""
