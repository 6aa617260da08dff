"""The consumer store: models, engine/session, migrations, synthetic data and importers."""
