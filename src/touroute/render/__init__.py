"""Rendering: what an itinerary or a report looks like — folium maps (:mod:`.maps`). Below the web app and the
fair packages, above the planner's results; it reads texts from :mod:`touroute.messages`, never from a request."""
