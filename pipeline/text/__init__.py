"""Vietnamese text primitives: normalisation and folding, numbers, dates, document
symbols, legacy encodings, the quality score, sentences, and the offset-keeping builder
every extractor writes through. No module here reads the database."""
