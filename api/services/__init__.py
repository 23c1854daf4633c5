"""Write use cases of the API: load → rule → write, inside the request's transaction."""
