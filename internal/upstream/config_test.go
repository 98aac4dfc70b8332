package upstream

import "testing"

func TestParse(t *testing.T) {
	cases := []struct {
		in      any
		want    Config
		wantErr bool
	}{
		{nil, Config{Type: TypeSimulator}, false},
		{"simulator", Config{Type: TypeSimulator}, false},
		{"simulator?ttft=20ms&per_token=5ms", Config{Type: TypeSimulator, Options: "ttft=20ms&per_token=5ms"}, false},
		{"openai=http://127.0.0.1:11434/v1,model=llama3.2", Config{Type: TypeOpenAI, URL: "http://127.0.0.1:11434/v1", Model: "llama3.2"}, false},
		{"openai=http://h/v1,apiKey=sk-1,timeout=30s", Config{Type: TypeOpenAI, URL: "http://h/v1", APIKey: "sk-1", Timeout: "30s"}, false},
		{"azure-openai=https://x.openai.azure.com,deployment=gpt-4o,apiKey=k", Config{Type: TypeAzureOpenAI, URL: "https://x.openai.azure.com", Deployment: "gpt-4o", APIKey: "k"}, false},
		{"azure-openai=https://x.openai.azure.com,deployment=d,tenantId=t,clientId=c,clientSecret=s",
			Config{Type: TypeAzureOpenAI, URL: "https://x.openai.azure.com", Deployment: "d", TenantID: "t", ClientID: "c", ClientSecret: "s"}, false},
		{map[string]any{"type": "openai", "url": "https://api.openai.com/v1", "apiKey": "k"}, Config{Type: TypeOpenAI, URL: "https://api.openai.com/v1", APIKey: "k"}, false},
		{"azure-openai=https://x.openai.azure.com", Config{}, true}, // no credential
		{"openai=ftp://x", Config{}, true},
		{"openai", Config{}, true},
		{"nope=http://x", Config{}, true},
		{"simulator=http://x", Config{}, true},
		{"openai=http://x,bogus=1", Config{}, true},
		{"openai=http://x,timeout=soon", Config{}, true},
		{42, Config{}, true},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("Parse(%v): err = %v, want error %v", c.in, err, c.wantErr)
			continue
		}
		if err == nil && *got != c.want {
			t.Errorf("Parse(%v) = %+v, want %+v", c.in, *got, c.want)
		}
	}
}

func TestRedacted(t *testing.T) {
	c := Config{Type: TypeAzureOpenAI, APIKey: "k", ClientSecret: "s"}.Redacted()
	if c.APIKey != "***" || c.ClientSecret != "***" {
		t.Errorf("%+v", c)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"simulator", "simulator?ttft=1ms", "openai=http://h/v1,model=m", "azure-openai=https://x,apiKey=k,deployment=d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err == nil && c.Validate() != nil {
			t.Fatalf("Parse(%q) accepted an invalid config %+v", s, c)
		}
	})
}
