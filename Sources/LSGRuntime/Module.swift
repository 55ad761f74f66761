// Float32 CPU runtime for RoBERTa and LSG-RoBERTa.
