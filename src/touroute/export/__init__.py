"""Exports of an itinerary: text (CLI), JSON, and — with the web app — GeoJSON, GPX, iCalendar, CSV, print."""
