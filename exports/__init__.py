"""Book of Business workbooks: streaming, masking, encryption and export history."""
