def handlers():
    return {}
