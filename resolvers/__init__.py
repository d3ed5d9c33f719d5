"""The root fields' resolvers: each turns its arguments into a plan through the policy and the
federation engine (`gateway/federation`), and builds the schema's objects from what the sources
return."""
