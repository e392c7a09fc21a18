package group

import "github.com/nookchat/nook/engine/protocol"

// blobSize is the size of every blob the server stores.
const blobSize = protocol.BlobSize
