enum HubCachePlaceholder {}
