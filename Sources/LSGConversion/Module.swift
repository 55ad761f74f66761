// LSG conversion: RoBERTa -> LSG rules, position/global embeddings, config and output folder.
