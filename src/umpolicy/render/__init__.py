"""Renderings for people: decisions, policy pages, diagrams."""
