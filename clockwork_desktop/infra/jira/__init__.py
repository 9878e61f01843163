"""Jira over HTTP: the client behind JiraPort."""
