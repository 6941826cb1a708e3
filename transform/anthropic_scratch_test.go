package transform
import ("testing";"os")
func TestAnScratch(t *testing.T){
 body,_:=os.ReadFile("testdata/anthropic/request_full.json")
 c:=Get(Anthropic)
 r,err:=c.DecodeRequest(body); if err!=nil{t.Fatal(err)}
 out,err:=c.EncodeRequest(r,EncodeOptions{Model:"claude-sonnet-4-5",Stream:true}); if err!=nil{t.Fatal(err)}
 t.Logf("%s",out)
}
