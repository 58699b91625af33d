"""Rendering: what an itinerary or a report looks like — folium maps (:mod:`.maps`) and matplotlib charts
(:mod:`.charts`). Above the planner's results and the analytics (which compute only), below the web app, the CLI
and the fair packages; texts come from :mod:`touroute.messages`, never from a request."""
