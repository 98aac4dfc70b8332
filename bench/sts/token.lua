-- wrk script: client-credentials token requests over keep-alive.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = os.getenv("FORM")
