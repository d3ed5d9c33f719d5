"""Document admission: the bounds a GraphQL document must stay within (size, depth, aliases,
cost...), measured once per distinct document and cached with its parse and validation; the
HTTP edge and the executable schema both admit through it."""
