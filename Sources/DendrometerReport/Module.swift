// Placeholder: HTML report and comparisons land here (issue #5).
