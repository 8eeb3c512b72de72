// Archive placeholder
