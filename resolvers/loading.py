"""Loading many keys through a request's loaders, keeping each key's error apart."""

import asyncio
from collections.abc import Hashable, Iterable
from typing import TypeVar

from aiodataloader import DataLoader

from gateway.errors import SourceError
from gateway.federation.loaders import SourceKey

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

__all__ = ["SourceKey", "load_all", "load_if"]


async def load_all(loader: DataLoader[K, V], keys: Iterable[K]) -> dict[K, V | SourceError]:
    """Values by key; a key whose source failed maps to that source's error."""
    unique = list(dict.fromkeys(keys))
    results = await asyncio.gather(*(loader.load(key) for key in unique), return_exceptions=True)
    loaded: dict[K, V | SourceError] = {}
    for key, result in zip(unique, results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, SourceError):
            raise result
        loaded[key] = result
    return loaded


async def load_if(
    wanted: bool, loader: DataLoader[K, V], keys: Iterable[K]
) -> dict[K, V | SourceError]:
    return await load_all(loader, keys) if wanted else {}
