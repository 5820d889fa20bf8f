package main

// Native modules linked into the tirun binary, so `tirun run` scripts can require them.
import (
	_ "github.com/tirun/tirun/modules/urlsession" // require('com.appcelerator.urlSession')
)
