"""A generated country and one quarter of its report files, with a manifest of what each must become."""
