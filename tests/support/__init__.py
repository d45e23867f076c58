"""What the tests share: the fake clock and servers, the db fixture, paths and sample data."""
