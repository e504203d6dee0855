"""The CI gate: check, base trees, baselines, the policy file and its rules, diffs between trees."""
