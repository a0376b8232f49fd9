"""What people read: status tables, the Agency's export, the quarterly report, findings files."""
