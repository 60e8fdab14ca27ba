package catalogue

// A zone declared untrusted whose name says nothing (Feeds), and a two-way flow taken
// against the way it is written: the importer reaches the profiles through it.
//
// @boundary Feeds (#feeds) [untrusted] around Vendor
// @connects Vendor:Feed to Catalogue:Importer with CSV over FTP (#feed-importer)
// @flows Catalogue.Profiles <-> Catalogue.Importer via REST (#profiles-importer)
// @handles pii on Catalogue:Profiles

// A zone whose name is in the keyword table, declared trusted: no path starts there.
//
// @boundary Public (#public-site) [trusted] around Marketing
// @connects Marketing:Site to Crm:API with JSON (#site-crm)
// @connects Crm:API to Crm:Contacts with SQL (#crm-contacts)
// @handles pii on Crm:Contacts

func Import() {}
