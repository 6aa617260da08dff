"""bob's Jinja2 templates, installed as the package ``bob_templates`` so a wheel carries them."""
